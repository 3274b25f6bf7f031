SELECT * FROM s /* open;
