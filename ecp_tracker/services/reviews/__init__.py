"""The monthly ECP-to-ICP review: snapshot, decisions, finalising into the next draft ICP, export."""
