FROM jenkins/inbound-agent:3248.v65ecb_254c298-1
USER root
RUN apt-get update && apt-get install -y docker.io && rm -rf /var/lib/apt/lists/*
RUN usermod -aG docker jenkins
ENTRYPOINT ["/usr/local/bin/jenkins-agent"]
