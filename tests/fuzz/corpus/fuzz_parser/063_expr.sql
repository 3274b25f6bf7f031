SELECT b NOT IN ('x') FROM s;
