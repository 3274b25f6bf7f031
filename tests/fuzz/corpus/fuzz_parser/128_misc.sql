SELECT `abc FROM s;
