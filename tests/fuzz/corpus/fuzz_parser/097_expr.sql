SELECT f(s.hours) FROM s;
