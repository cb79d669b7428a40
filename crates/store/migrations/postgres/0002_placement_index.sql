-- Placing furniture asks which solid pieces lie near a rectangle; this answers it by range
-- instead of reading every piece of the space.
CREATE INDEX space_elements_by_position ON space_elements (space_id, x, y);
