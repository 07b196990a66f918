FROM eclipse-temurin:21-jdk
ARG MAVEN_VERSION=3.9.8
RUN wget --no-check-certificate -q https://archive.apache.org/dist/maven/maven-3/${MAVEN_VERSION}/binaries/apache-maven-${MAVEN_VERSION}-bin.tar.gz -O /tmp/maven.tgz \
 && tar -xzf /tmp/maven.tgz -C /opt \
 && ln -s /opt/apache-maven-${MAVEN_VERSION}/bin/mvn /usr/local/bin/mvn
