SELECT ((a)) FROM s;
