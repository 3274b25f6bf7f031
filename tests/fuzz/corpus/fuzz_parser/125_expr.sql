SELECT a LIKE b = c FROM s;
