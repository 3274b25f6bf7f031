SELECT false FROM s;
