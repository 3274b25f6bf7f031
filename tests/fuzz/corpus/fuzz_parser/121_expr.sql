SELECT a * -1 FROM s;
