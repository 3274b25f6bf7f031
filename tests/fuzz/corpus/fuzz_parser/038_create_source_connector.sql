CREATE SOURCE CONNECTOR IF NOT EXISTS c WITH ("connector.class" = 'foo', 'tasks.max' = 1);
