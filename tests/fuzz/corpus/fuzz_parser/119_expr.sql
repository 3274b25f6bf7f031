SELECT a = 1 AND b <> 2 AND c != 3 FROM s;
