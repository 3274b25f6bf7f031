SELECT f((x) => x) FROM s;
