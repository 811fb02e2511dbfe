-- Records of nwopen snapshots that the validation step set aside or flagged, one row per
-- record and rule, marked is_current for the verdict staging reads now.
{{ quarantine_entries('nwopen') }}
