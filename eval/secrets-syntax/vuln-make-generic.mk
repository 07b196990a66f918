IMAGE := registry.internal.test/app
REGISTRY_PASSWORD := Hq7Zt3XpL9vR2mKw8sYc4NbF6dJ1

push:
	docker login -p $(REGISTRY_PASSWORD) registry.internal.test
