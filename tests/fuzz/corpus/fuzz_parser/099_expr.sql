SELECT 'it''s' FROM s;
