-- Detection rewrites every activated customer-feature's feature_adoption row once a day (score, stage,
-- evaluated_as_of), and none of the columns it changes is indexed. Free space in each page lets those updates be
-- HOT (the new row version goes in the same page, no new index entries), instead of moving every row and adding an
-- entry to each of the table's indexes per row per day (bench/RESULTS.md). Applies to pages written from now on.
ALTER TABLE feature_adoption SET (fillfactor = 70);
