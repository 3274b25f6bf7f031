SELECT d NOT LIKE 'b' || 'c' FROM s;
