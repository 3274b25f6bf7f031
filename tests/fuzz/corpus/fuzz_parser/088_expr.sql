SELECT TRANSFORM(arr, x => x + 1) FROM s;
