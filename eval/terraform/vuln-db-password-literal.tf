resource "aws_rds_cluster" "orders" {
  cluster_identifier  = "orders"
  engine              = "aurora-postgresql"
  master_username     = "orders_admin"
  master_password     = "0rders-Adm1n-Pass"
  storage_encrypted   = true
  deletion_protection = true
}
