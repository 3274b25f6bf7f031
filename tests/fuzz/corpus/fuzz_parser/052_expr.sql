SELECT a + b * c - d / e % f FROM s;
