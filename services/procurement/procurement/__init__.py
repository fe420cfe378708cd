"""Government purchase of services (政府购买服务): demands in, the ten steps, statistics, OCDS."""
