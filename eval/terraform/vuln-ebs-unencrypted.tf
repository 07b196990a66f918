resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 200
  type              = "gp3"
  encrypted         = false

  tags = {
    Name = "analytics-data"
  }
}
