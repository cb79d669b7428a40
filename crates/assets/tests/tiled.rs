//! Importing Tiled maps, starting from the office map in fixtures/tiled (as Tiled 1.10 saves
//! it, with its tileset in tiles.tsj and tiles.png) and variations made of it here: what it
//! holds comes out as effects and a floor, and every refusal says what was wrong.

use std::io::Write;

use base64::Engine;
use gather_assets::testing::samples::{tiled_fixture as fixture, zip};
use gather_assets::{
    import_tiled, ImportError, ImportLimits, ImportedMap, RefusedImage, TiledFiles, ZipLimits,
};
use gather_core::{Footprint, Position, PrivateArea, Spawn};
use serde_json::{json, Value};

/// The colours of the four tiles of tiles.png; each tile also has a white top-left pixel.
const FLOOR: [u8; 4] = [136, 136, 136, 255];
const WALL: [u8; 4] = [60, 40, 30, 255];
const START: [u8; 4] = [40, 180, 60, 255];
const RED: [u8; 4] = [200, 40, 40, 255];
const MARK: [u8; 4] = [255, 255, 255, 255];

fn office() -> Value {
    serde_json::from_slice(&fixture("office.tmj")).unwrap()
}

fn bytes(map: &Value) -> Vec<u8> {
    serde_json::to_vec(map).unwrap()
}

/// The map uploaded with its tileset and image, as a browser sends them.
fn loose(map: &Value) -> TiledFiles {
    TiledFiles::loose(
        bytes(map),
        vec![("tiles.tsj".into(), fixture("tiles.tsj")), ("tiles.png".into(), fixture("tiles.png"))],
    )
}

fn import(files: &TiledFiles) -> Result<ImportedMap, ImportError> {
    import_tiled(files, ImportLimits::default())
}

fn layer<'a>(map: &'a mut Value, name: &str) -> &'a mut Value {
    let layers = map["layers"].as_array_mut().unwrap();
    layers.iter_mut().find(|l| l["name"] == name).unwrap()
}

fn embed_tileset(map: &mut Value) {
    let mut tileset: Value = serde_json::from_slice(&fixture("tiles.tsj")).unwrap();
    tileset["firstgid"] = json!(1);
    map["tilesets"] = json!([tileset]);
}

fn pixel(map: &ImportedMap, x: u32, y: u32) -> [u8; 4] {
    image::load_from_memory(&map.floor.png).unwrap().to_rgba8().get_pixel(x, y).0
}

/// The centre pixel of a tile of a floor drawn at 16 px a tile.
fn tile_colour(map: &ImportedMap, x: u32, y: u32) -> [u8; 4] {
    pixel(map, x * 16 + 8, y * 16 + 8)
}

fn office_zip(extra: &[(&str, &[u8])]) -> Vec<u8> {
    let (map, tileset, image) = (fixture("office.tmj"), fixture("tiles.tsj"), fixture("tiles.png"));
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("office/", b""),
        ("office/office.tmj", &map),
        ("office/tiles.tsj", &tileset),
        ("office/tiles.png", &image),
    ];
    entries.extend_from_slice(extra);
    zip(&entries)
}

#[test]
fn the_fixture_tileset_has_the_colours_the_tests_expect() {
    let tiles = image::load_from_memory(&fixture("tiles.png")).unwrap().to_rgba8();
    assert_eq!(tiles.dimensions(), (32, 32));
    for (i, colour) in [FLOOR, WALL, START, RED].into_iter().enumerate() {
        let (x, y) = (i as u32 % 2 * 16, i as u32 / 2 * 16);
        assert_eq!(tiles.get_pixel(x + 8, y + 8).0, colour, "tile {i}");
        assert_eq!(tiles.get_pixel(x, y).0, MARK, "tile {i}");
    }
}

#[test]
fn the_office_gives_its_walls_spawns_and_meeting_room() {
    let map = import(&loose(&office())).unwrap();
    assert_eq!((map.width, map.height, map.tile_px, map.floor_tile_px), (10, 8, 16, 16));
    let mut walls: Vec<Position> = (0..10).map(|x| Position::new(x, 0)).collect();
    // A colliding tile of the walls layer, then a tile of the hidden layer marked `collides`.
    walls.extend([Position::new(5, 4), Position::new(0, 7)]);
    assert_eq!(map.effects.impassable, walls);
    let spawn = |x, y| Spawn { at: Position::new(x, y), name: None };
    assert_eq!(map.effects.spawns, [spawn(2, 6), spawn(7, 6)]);
    // The rectangle runs from (100, 36) to (156, 76) pixels: tiles 6..10 by 2..5.
    let room = PrivateArea {
        name: "Meeting room".into(),
        region: Footprint::new(Position::new(6, 2), 4, 3),
        locked: true,
        max_occupancy: Some(6),
    };
    assert_eq!(map.effects.areas, [room]);
    assert!(map.effects.portals.is_empty() && map.effects.spotlights.is_empty());
}

#[test]
fn the_floor_is_drawn_from_the_visible_layers_in_order() {
    let map = import(&loose(&office())).unwrap();
    assert_eq!((map.floor.width, map.floor.height), (160, 128));
    assert_eq!(image::guess_format(&map.floor.png).unwrap(), image::ImageFormat::Png);
    assert_eq!(tile_colour(&map, 0, 0), WALL, "walls are drawn over the floor");
    assert_eq!(pixel(&map, 16, 0), MARK, "the tile's own corner pixel");
    assert_eq!(tile_colour(&map, 3, 3), FLOOR);
    assert_eq!(tile_colour(&map, 5, 4), WALL);
    assert_eq!(tile_colour(&map, 2, 6), FLOOR, "the start layer is hidden");
    assert_eq!(tile_colour(&map, 0, 7), FLOOR, "and so is the collision layer");
    let again = import(&loose(&office())).unwrap();
    assert_eq!(again.floor.hash, map.floor.hash, "the same map, the same floor");
}

#[test]
fn a_hidden_layer_is_neither_drawn_nor_a_wall_unless_marked_so() {
    let mut map = office();
    layer(&mut map, "walls")["visible"] = json!(false);
    let hidden = import(&loose(&map)).unwrap();
    assert_eq!(hidden.effects.impassable, [Position::new(0, 7)], "only the layer marked `collides`");
    assert_eq!(tile_colour(&hidden, 0, 0), FLOOR);
}

#[test]
fn what_is_not_understood_is_told_by_name() {
    let map = import(&loose(&office())).unwrap();
    assert_eq!(map.warnings, ["layer \"floor\": property \"openWebsite\" is not supported"]);
}

#[test]
fn the_zipped_map_imports_exactly_as_the_loose_one() {
    let junk = b"not part of the map";
    let bytes = office_zip(&[("__MACOSX/office/._tiles.png", junk)]);
    let zipped = import(&TiledFiles::from_zip(&bytes, ZipLimits::default()).unwrap()).unwrap();
    assert_eq!(zipped, import(&loose(&office())).unwrap());
}

#[test]
fn a_zip_entry_that_escapes_the_zip_is_left_out_and_told() {
    let bytes = office_zip(&[("../evil.png", &fixture("tiles.png"))]);
    let files = TiledFiles::from_zip(&bytes, ZipLimits::default()).unwrap();
    let map = import(&files).unwrap();
    assert!(
        map.warnings
            .contains(&"zip entry \"../evil.png\" points outside the zip and was left out".to_owned()),
        "{:?}",
        map.warnings
    );
    // A map asking for it by that path finds nothing.
    let mut evil = office();
    embed_tileset(&mut evil);
    evil["tilesets"][0]["image"] = json!("../evil.png");
    let evil_bytes = bytes_zip(&evil, &[("../evil.png", &fixture("tiles.png"))]);
    let files = TiledFiles::from_zip(&evil_bytes, ZipLimits::default()).unwrap();
    assert_eq!(import(&files), Err(ImportError::MissingFile("../evil.png".into())));
}

fn bytes_zip(map: &Value, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let map = bytes(map);
    let mut entries: Vec<(&str, &[u8])> = vec![("office.tmj", &map)];
    entries.extend_from_slice(extra);
    zip(&entries)
}

#[test]
fn a_zip_over_its_caps_is_refused() {
    let bytes = office_zip(&[]);
    let few = ZipLimits { max_entries: 3, ..ZipLimits::default() };
    let refusal = TiledFiles::from_zip(&bytes, few).unwrap_err();
    assert_eq!(refusal, ImportError::TooLarge("the zip holds 4 entries; at most 3".into()));
    let zeros = vec![0u8; 1 << 20];
    let bomb = office_zip(&[("office/zeros.bin", &zeros)]);
    assert!(bomb.len() < 64 * 1024, "a megabyte of zeros packs small");
    let small = ZipLimits { max_total_bytes: 512 * 1024, ..ZipLimits::default() };
    assert!(matches!(TiledFiles::from_zip(&bomb, small), Err(ImportError::TooLarge(_))));
    assert!(TiledFiles::from_zip(&bomb, ZipLimits::default()).is_ok());
}

#[test]
fn a_zip_holds_exactly_one_map() {
    let tileset = fixture("tiles.tsj");
    let none = zip(&[("tiles.tsj", &tileset)]);
    assert!(matches!(TiledFiles::from_zip(&none, ZipLimits::default()), Err(ImportError::BadZip(_))));
    let map = fixture("office.tmj");
    let two = zip(&[("a.tmj", &map), ("b/b.json", &map), ("tiles.tsj", &tileset)]);
    assert_eq!(
        TiledFiles::from_zip(&two, ZipLimits::default()).unwrap_err(),
        ImportError::BadZip("it holds several maps (a.tmj, b/b.json); a zip may hold one".into())
    );
    let garbage = TiledFiles::from_zip(b"PK not really", ZipLimits::default());
    assert!(matches!(garbage, Err(ImportError::BadZip(_))));
}

#[test]
fn a_missing_file_is_named() {
    let no_image = TiledFiles::loose(bytes(&office()), vec![("tiles.tsj".into(), fixture("tiles.tsj"))]);
    assert_eq!(import(&no_image), Err(ImportError::MissingFile("tiles.png".into())));
    let no_tileset = TiledFiles::loose(bytes(&office()), vec![("tiles.png".into(), fixture("tiles.png"))]);
    assert_eq!(import(&no_tileset), Err(ImportError::MissingFile("tiles.tsj".into())));
}

#[test]
fn an_embedded_tileset_or_one_in_another_folder_imports_the_same() {
    let external = import(&loose(&office())).unwrap();
    let mut embedded = office();
    embed_tileset(&mut embedded);
    assert_eq!(import(&loose(&embedded)).unwrap(), external);
    // Saved in Tiled with the image in a sibling folder, uploaded as bare names.
    embedded["tilesets"][0]["image"] = json!("../images/tiles.png");
    assert_eq!(import(&loose(&embedded)).unwrap(), external);
}

#[test]
fn a_map_too_large_is_refused_before_its_layers_are_read() {
    let mut huge = office();
    huge["width"] = json!(5000);
    huge["height"] = json!(5000);
    for layer in huge["layers"].as_array_mut().unwrap() {
        if layer["type"] == "tilelayer" {
            layer["width"] = json!(5000);
            layer["height"] = json!(5000);
            layer["data"] = json!([]);
        }
    }
    assert_eq!(
        import(&loose(&huge)),
        Err(ImportError::TooLarge("the map is 5000x5000 tiles; at most 300 tiles a side".into()))
    );
    let mut big_tiles = office();
    big_tiles["tilewidth"] = json!(128);
    big_tiles["tileheight"] = json!(128);
    assert!(matches!(import(&loose(&big_tiles)), Err(ImportError::TooLarge(_))));
}

#[test]
fn a_floor_past_the_image_limits_is_drawn_smaller() {
    let limits = ImportLimits {
        image: gather_assets::ImageLimits { max_side: 80, max_pixels: 80 * 80 },
        ..ImportLimits::default()
    };
    let map = import_tiled(&loose(&office()), limits).unwrap();
    assert_eq!(map.floor_tile_px, 8);
    assert_eq!((map.floor.width, map.floor.height), (80, 64));
    assert_eq!(pixel(&map, 3 * 8 + 4, 3 * 8 + 4), FLOOR);
    assert_eq!(pixel(&map, 5 * 8 + 4, 4 * 8 + 4), WALL);
    assert_eq!(map.effects, import(&loose(&office())).unwrap().effects, "the effects are in tiles");
}

#[test]
fn an_image_elsewhere_is_never_fetched() {
    for url in ["http://127.0.0.1:9/tiles.png", "https://example.com/tiles.png", "data:image/png;base64,AAAA"]
    {
        let mut map = office();
        embed_tileset(&mut map);
        map["tilesets"][0]["image"] = json!(url);
        // Even with a file of that name uploaded: the map asked for another one.
        assert_eq!(import(&loose(&map)), Err(ImportError::RemoteFile(url.into())), "{url}");
    }
}

#[test]
fn a_hostile_tileset_image_is_refused_as_an_upload_would_be() {
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let files = TiledFiles::loose(
        bytes(&office()),
        vec![("tiles.tsj".into(), fixture("tiles.tsj")), ("tiles.png".into(), svg)],
    );
    assert_eq!(
        import(&files),
        Err(ImportError::BadImage { file: "tiles.png".into(), reason: RefusedImage::NotAnImage })
    );
}

fn base64_cells(gids: &[u32]) -> Vec<u8> {
    gids.iter().flat_map(|gid| gid.to_le_bytes()).collect()
}

#[test]
fn base64_layers_import_as_arrays_do() {
    let plain = import(&loose(&office())).unwrap();
    type Pack = fn(&[u8]) -> Vec<u8>;
    let packs: [(&str, Pack); 3] = [
        ("", |raw| raw.to_vec()),
        ("zlib", |raw| {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(raw).unwrap();
            e.finish().unwrap()
        }),
        ("gzip", |raw| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(raw).unwrap();
            e.finish().unwrap()
        }),
    ];
    for (compression, pack) in packs {
        let mut map = office();
        for layer in map["layers"].as_array_mut().unwrap().iter_mut().filter(|l| l["type"] == "tilelayer") {
            let gids: Vec<u32> = serde_json::from_value(layer["data"].clone()).unwrap();
            let text = base64::engine::general_purpose::STANDARD.encode(pack(&base64_cells(&gids)));
            layer["data"] = json!(text);
            layer["encoding"] = json!("base64");
            layer["compression"] = json!(compression);
        }
        assert_eq!(import(&loose(&map)).unwrap(), plain, "{compression:?}");
    }
    let mut zstd = office();
    layer(&mut zstd, "floor")["data"] = json!("KLUv/QBYAQAA");
    layer(&mut zstd, "floor")["encoding"] = json!("base64");
    layer(&mut zstd, "floor")["compression"] = json!("zstd");
    assert!(matches!(import(&loose(&zstd)), Err(ImportError::Unsupported(_))));
}

#[test]
fn flip_bits_are_masked_and_the_flips_drawn() {
    let mut map = office();
    let walls = layer(&mut map, "walls");
    walls["data"][0] = json!(2u32 | 0x8000_0000);
    walls["data"][1] = json!(2u32 | 0x4000_0000);
    let map = import(&loose(&map)).unwrap();
    assert_eq!(map.effects.impassable[..2], [Position::new(0, 0), Position::new(1, 0)], "still walls");
    assert_eq!(tile_colour(&map, 0, 0), WALL);
    assert_eq!(pixel(&map, 15, 0), MARK, "flipped left to right");
    assert_eq!(pixel(&map, 0, 0), WALL);
    assert_eq!(pixel(&map, 16, 15), MARK, "flipped top to bottom");
    assert_eq!(pixel(&map, 32, 0), MARK, "unflipped");
}

#[test]
fn a_tile_layer_of_the_wrong_length_is_refused() {
    let mut map = office();
    layer(&mut map, "walls")["data"].as_array_mut().unwrap().pop();
    assert_eq!(
        import(&loose(&map)),
        Err(ImportError::BadMap("layer \"walls\" has 79 tiles, but a 10x8 map needs 80".into()))
    );
    let mut unknown = office();
    layer(&mut unknown, "walls")["data"][3] = json!(9);
    assert!(matches!(import(&loose(&unknown)), Err(ImportError::BadMap(m)) if m.contains("no tileset")));
}

#[test]
fn what_is_not_json_or_not_a_map_is_refused() {
    let not_json = TiledFiles::loose(b"<?xml version=\"1.0\"?><map/>".to_vec(), Vec::new());
    assert!(matches!(import(&not_json), Err(ImportError::NotJson(_))));
    let tileset = TiledFiles::loose(fixture("tiles.tsj"), Vec::new());
    assert!(matches!(import(&tileset), Err(ImportError::BadMap(m)) if m.contains("tileset")));
    let list = TiledFiles::loose(b"[1, 2]".to_vec(), Vec::new());
    assert!(matches!(import(&list), Err(ImportError::BadMap(_))));
}

#[test]
fn maps_gather_cannot_use_say_why() {
    let unsupported = |edit: fn(&mut Value)| {
        let mut map = office();
        edit(&mut map);
        match import(&loose(&map)) {
            Err(ImportError::Unsupported(why)) => why,
            other => panic!("{other:?}"),
        }
    };
    assert!(unsupported(|m| m["orientation"] = json!("isometric")).contains("isometric"));
    assert!(unsupported(|m| m["infinite"] = json!(true)).contains("infinite"));
    assert!(unsupported(|m| m["tilesets"][0]["source"] = json!("tiles.tsx")).contains("tiles.tsx"));
    assert!(unsupported(|m| m["tileheight"] = json!(8)).contains("square"));
}

#[test]
fn objects_become_areas_and_named_spawns_or_warnings() {
    let mut map = office();
    let objects = layer(&mut map, "areas")["objects"].as_array_mut().unwrap();
    let rect = |id: u32, name: &str, x: u32, y: u32| json!({"id": id, "name": name, "x": x, "y": y, "width": 32, "height": 32, "rotation": 0, "type": ""});
    objects.push(rect(2, "", 0, 16));
    objects.push(rect(3, "Overlapping", 112, 48));
    objects.push(rect(4, "Outside", 400, 400));
    objects.push(json!({"id": 5, "name": "door", "type": "spawn", "point": true, "x": 40, "y": 104}));
    objects
        .push(json!({"id": 6, "name": "Round", "ellipse": true, "x": 0, "y": 0, "width": 16, "height": 16}));
    let map = import(&loose(&map)).unwrap();
    let names: Vec<&str> = map.effects.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Meeting room", "Area 2"]);
    assert_eq!(map.effects.areas[1].region, Footprint::new(Position::new(0, 1), 2, 2));
    assert!(!map.effects.areas[1].locked && map.effects.areas[1].max_occupancy.is_none());
    assert_eq!(
        map.effects.spawns.last(),
        Some(&Spawn { at: Position::new(2, 6), name: Some("door".into()) })
    );
    assert_eq!(map.effects.spawns.len(), 2, "the named spawn takes the place of the start tile under it");
    for warning in [
        "object \"Overlapping\" in layer \"areas\" overlaps the area \"Meeting room\" and was left out",
        "object \"Outside\" in layer \"areas\" covers no tile of the map and was left out",
        "object \"Round\" in layer \"areas\" is an ellipse; only rectangles become private areas",
    ] {
        assert!(map.warnings.contains(&warning.to_owned()), "{warning}: {:?}", map.warnings);
    }
}
