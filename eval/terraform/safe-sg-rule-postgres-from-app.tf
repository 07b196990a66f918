resource "aws_security_group_rule" "postgres_in" {
  type                     = "ingress"
  description              = "app servers"
  from_port                = 5432
  to_port                  = 5432
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.app.id
  security_group_id        = aws_security_group.db.id
}
