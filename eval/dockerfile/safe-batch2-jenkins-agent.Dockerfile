FROM jenkins/inbound-agent:3248.v65ecb_254c298-1
USER root
RUN apt-get update && apt-get install -y --no-install-recommends git-lfs && rm -rf /var/lib/apt/lists/*
USER jenkins
ENTRYPOINT ["/usr/local/bin/jenkins-agent"]
