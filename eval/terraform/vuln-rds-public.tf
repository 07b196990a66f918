resource "aws_db_instance" "reporting" {
  identifier           = "reporting"
  engine               = "postgres"
  engine_version       = "16.3"
  instance_class       = "db.t4g.medium"
  allocated_storage    = 50
  username             = "reporting"
  password             = var.reporting_db_password
  publicly_accessible  = true
  storage_encrypted    = true
  skip_final_snapshot  = true
}
