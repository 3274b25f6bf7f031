SELECT REDUCE(arr, 0, (s, x) => s + x) FROM s;
