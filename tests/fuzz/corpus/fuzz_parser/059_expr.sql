SELECT a = 1 OR b = 2 AND c = 3 FROM s;
