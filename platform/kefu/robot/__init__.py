"""The robot (智能机器人): answers visitors from the published Q&A entries, hands over to humans."""
