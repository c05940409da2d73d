-- The inventory database as it is before the example sync (run after the schema,
-- see examples/network/sqlite_target.py). It has drifted from source.yaml:
-- fra1 is in the wrong region, fra1-leaf1 has the wrong platform, ams1-leaf1's Ethernet2 is
-- still enabled, Ethernet3/fra1-leaf2/lon1 are missing, and ams1-leaf1's Ethernet4,
-- fra1-leaf3 and the whole dub1 site were decommissioned.
INSERT INTO site (name, region, status) VALUES
    ('ams1', 'eu-west', 'active'),
    ('fra1', 'eu-west', 'active'),
    ('dub1', 'eu-west', 'active');
INSERT INTO device (name, site_name, role, platform, serial) VALUES
    ('ams1-spine1', 'ams1', 'spine', 'eos', 'SN0A11'),
    ('ams1-leaf1', 'ams1', 'leaf', 'eos', 'SN0A12'),
    ('fra1-leaf1', 'fra1', 'leaf', 'junos', 'SN0F21'),
    ('fra1-leaf3', 'fra1', 'leaf', 'nxos', 'SN0F23'),
    ('dub1-leaf1', 'dub1', 'leaf', 'eos', 'SN0D31');
INSERT INTO interface (device_name, name, description, enabled, mtu, mode) VALUES
    ('ams1-spine1', 'Ethernet1', 'uplink to transit', 1, 9214, 'routed'),
    ('ams1-spine1', 'Ethernet2', 'to ams1-leaf1', 1, 9214, 'routed'),
    ('ams1-leaf1', 'Ethernet1', 'to ams1-spine1', 1, 9214, 'routed'),
    ('ams1-leaf1', 'Ethernet2', 'server rack 4', 1, 1500, 'access'),
    ('ams1-leaf1', 'Ethernet4', 'old server', 1, 1500, 'access'),
    ('fra1-leaf1', 'Ethernet1', 'uplink', 1, 9000, 'trunk'),
    ('fra1-leaf1', 'Ethernet2', 'storage', 1, 9000, 'access'),
    ('fra1-leaf3', 'Ethernet1', 'uplink', 1, 9000, 'trunk'),
    ('dub1-leaf1', 'Ethernet1', 'uplink', 1, 1500, 'trunk'),
    ('dub1-leaf1', 'Ethernet2', 'server', 1, 1500, 'access');
