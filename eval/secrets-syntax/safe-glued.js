const mixpanelSecret = "abc?StkJpiwp8n9GHydXrc5EE2pK";
