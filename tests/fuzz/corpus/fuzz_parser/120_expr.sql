SELECT a <= 4 OR b >= 5 OR c < 6 OR d > 7 FROM s;
