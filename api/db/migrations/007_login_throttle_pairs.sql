-- Login throttling by (client address, username) pairs. A pair row (`key` = the address, a space,
-- the username) counts every failure of one username from one address; a `username` row now counts
-- the addresses that failed it and a `client` row the usernames that failed from it, so one shared
-- address (a call centre's NAT) is throttled as a whole only when it sprays many usernames.
-- Counts of the old meaning start afresh: they would be misread, and the window forgets them anyway.
delete from login_throttle;
alter table login_throttle drop constraint login_throttle_scope_check;
alter table login_throttle add constraint login_throttle_scope_check check (scope in ('username', 'client', 'pair'));
