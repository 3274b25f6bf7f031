SELECT * FROM s WHERE a = 'abc;
