"""Knowledge base (知识库): Q&A entries for the robot, internal articles for agents, and their search."""
