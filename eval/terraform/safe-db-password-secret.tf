resource "random_password" "orders" {
  length  = 32
  special = true
}

resource "aws_rds_cluster" "orders" {
  cluster_identifier  = "orders"
  engine              = "aurora-postgresql"
  master_username     = "orders_admin"
  master_password     = random_password.orders.result
  storage_encrypted   = true
  deletion_protection = true
}
