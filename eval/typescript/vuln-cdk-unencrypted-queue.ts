// corgi-expect: ts-cdk-unencrypted-storage
import * as cdk from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

export class PaymentsStack extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new sqs.Queue(this, "CardEvents", {
      visibilityTimeout: cdk.Duration.seconds(60),
      encryption: sqs.QueueEncryption.UNENCRYPTED,
    });
  }
}
