resource "aws_vpc_security_group_ingress_rule" "debug_all" {
  security_group_id = aws_security_group.app.id
  description       = "debugging"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}
