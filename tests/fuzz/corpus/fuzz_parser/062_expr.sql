SELECT a IN (1, 2, 3) FROM s;
