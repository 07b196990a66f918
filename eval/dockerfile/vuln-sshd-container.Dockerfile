FROM ubuntu:24.04
RUN apt-get update && apt-get install -y openssh-server && mkdir /var/run/sshd
COPY authorized_keys /root/.ssh/authorized_keys
EXPOSE 22 8080
CMD ["/usr/sbin/sshd", "-D"]
