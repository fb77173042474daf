-- The files of one owner, whose sizes a storage quota adds up.
CREATE INDEX files_owner ON files (owner);
