resource "aws_db_instance" "reporting" {
  identifier                  = "reporting"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 50
  username                    = "reporting"
  manage_master_user_password = true
  publicly_accessible         = false
  db_subnet_group_name        = aws_db_subnet_group.private.name
  storage_encrypted           = true
}
