-- The company digest filtered by team (`cxdaily digest --team --team-name ...` reads a
-- period of one team's insights): one index range instead of filtering the period.
CREATE INDEX insights_team_created_at ON cxdaily.insights (team, created_at);
