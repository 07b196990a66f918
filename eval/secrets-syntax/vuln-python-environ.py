import os
os.environ["PAGERDUTY_TOKEN"] = "tP7vzcewWjYgdfTsLoZ9QJptxSqpanvx"
