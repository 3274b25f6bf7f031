SELECT FILTER(m, (k, v) => v > 0) FROM s;
