select a, b AS c, s.d e, * , s.* from s where a > 1 and b = 'x''y' emit changes limit 5;
