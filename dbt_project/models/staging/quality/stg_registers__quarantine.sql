-- Records of the registers' snapshots (var registers) that the validation step set aside or
-- flagged, one row per record and rule, marked is_current for the verdict staging reads now
-- (each register's own).
{% for register in var('registers') %}
{% if not loop.first %}union all{% endif %}
{{ quarantine_entries(register['source_system']) }}
{% endfor %}
