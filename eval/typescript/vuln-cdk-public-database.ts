// corgi-expect: ts-cdk-insecure-property
import * as cdk from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import { Construct } from "constructs";

export class ReportingDbStack extends cdk.Stack {
  constructor(scope: Construct, id: string, vpc: ec2.IVpc) {
    super(scope, id);
    new rds.DatabaseInstance(this, "ReportingDb", {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      publiclyAccessible: true,
      storageEncrypted: false,
    });
  }
}
