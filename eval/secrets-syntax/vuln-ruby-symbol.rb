Config = { hubspot_key: "xkPA5RndRqFTXjDzuAWHwF4scd48xFTT" }
