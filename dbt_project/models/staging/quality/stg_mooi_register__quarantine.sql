-- Records of mooi_register snapshots that the validation step set aside or flagged, one row per
-- record and rule, marked is_current for the verdict staging reads now.
{{ quarantine_entries('mooi_register') }}
