resource "aws_security_group_rule" "postgres_in" {
  type              = "ingress"
  description       = "temporary access for migration"
  from_port         = 5432
  to_port           = 5432
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.db.id
}
