SELECT m['k'] FROM s;
