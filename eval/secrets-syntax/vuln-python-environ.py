import os
os.environ["ROOTLY_TOKEN"] = "tP7vzcewWjYgdfTsLoZ9QJptxSqpanvx"
